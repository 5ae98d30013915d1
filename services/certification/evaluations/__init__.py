"""Third-party evaluations: an accredited body's confirmation that an event is carbon neutral."""
