"""Events: what is held, where and when, by whom, the policy that applies, and its status."""
