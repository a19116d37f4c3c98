"""Care-safe housing (케어안심주택): accessible flats, a priority admission queue for people discharged from hospital, move-in and move-out linked to the case, on-site services, an occupancy dashboard."""
