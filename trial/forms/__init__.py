"""Forms the web pages derive from definitions held elsewhere (instruments, protocols)."""
