"""Built-in step implementations, registered as plugins like any other."""
