"""One module per rule; the registry collects every rule class defined here."""
