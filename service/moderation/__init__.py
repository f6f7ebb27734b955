"""Moderation: the policy pipeline every new or edited comment passes, and moderators' decisions."""
