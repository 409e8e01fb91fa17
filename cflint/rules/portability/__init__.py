"""CF8xx: code written for another platform."""
