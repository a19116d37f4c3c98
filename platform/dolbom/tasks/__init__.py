"""A worker's own to-do list (할 일): tasks made by hand and reminders made by deadlines."""
