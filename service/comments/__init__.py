"""Comments: sites and threads, writing, reading, votes and reports, inline anchors, and the
public API."""
