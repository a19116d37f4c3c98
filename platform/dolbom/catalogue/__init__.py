"""The service catalogue: fields, programmes and the provider institutions that deliver them."""
