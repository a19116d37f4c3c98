"""Documents kept with a case: signed consent forms, photos, letters."""
