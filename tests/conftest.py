pytest_plugins = ["core.testing", "core.testing.log_leaks", "pytester"]
