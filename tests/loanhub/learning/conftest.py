from tests.factories.portal_fixtures import *  # noqa: F403 — shared portal fixtures
