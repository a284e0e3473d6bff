from feedback.tests.fixtures import hall_a, hall_b  # noqa: F401
