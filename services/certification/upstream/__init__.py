"""What the certification service reads from accounting and the registry over REST, as plain facts."""
