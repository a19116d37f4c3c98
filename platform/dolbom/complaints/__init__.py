"""The complaints register (민원): received → handled → closed, perhaps linked to a case."""
