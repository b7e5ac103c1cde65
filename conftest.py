pytest_plugins = ["rinnalla_runtime.testing"]
