"""Pure code shared by the assistant and the council services; imports nothing of the project."""
