"""The one hook registry: implementations run in their declared order whatever the order in which
apps start, once each, and a keyed hook keeps one implementation per key."""

import pytest

from core import hooks


@pytest.fixture
def scratch(monkeypatch):
    """A hook of the test's own, so that the product's registrations are left alone."""
    monkeypatch.setitem(hooks.HOOKS, "scratch", "a hook for this test")
    monkeypatch.setitem(hooks._registry, "scratch", [])
    return "scratch"


def test_implementations_run_by_order_not_by_registration(scratch):
    def late():
        pass

    def early():
        pass

    def default():
        pass

    hooks.register(scratch, late, order=90)
    hooks.register(scratch, default)
    hooks.register(scratch, early, order=10)
    assert hooks.implementations(scratch) == [early, late, default]


def test_equal_orders_keep_the_order_of_registration(scratch):
    hooks.register(scratch, "first.task", order=5)
    hooks.register(scratch, "second.task", order=5)
    assert hooks.implementations(scratch) == ["first.task", "second.task"]


def test_registering_twice_is_one_registration(scratch):
    hooks.register(scratch, "a.task")
    hooks.register(scratch, "a.task")
    assert hooks.implementations(scratch) == ["a.task"]


def test_a_keyed_hook_keeps_the_last_implementation_per_key(scratch):
    hooks.register(scratch, "old", key="publish")
    hooks.register(scratch, "new", key="publish")
    hooks.register(scratch, "other", key="act_at_stage")
    assert hooks.keyed(scratch, "publish") == "new"
    assert hooks.keyed(scratch, "act_at_stage") == "other"
    assert hooks.keyed(scratch, "retire") is None


def test_the_decorator_form_registers_and_returns_the_function(scratch):
    @hooks.register(scratch, order=1)
    def panel():
        return "shown"

    assert hooks.implementations(scratch) == [panel] and panel() == "shown"


def test_an_undeclared_hook_is_refused_with_where_hooks_are_declared():
    with pytest.raises(LookupError, match=r"declared in core\.hooks"):
        hooks.register("no_such_hook", print)


def test_the_apps_register_the_product_s_seams_in_order():
    # The proposal page shows the workflow, then the history, then the badges app's impact panel;
    # an issued award goes to Credly's task before the registrar's, whichever app started first.
    panels = [p.__module__ + "." + p.__name__ for p in hooks.implementations(hooks.PROPOSAL_PANELS)]
    assert panels == [
        "review.panels.workflow_panel",
        "review.panels.history_panel",
        "badges.panels.impact_panel",
    ]
    assert hooks.implementations(hooks.AWARD_ISSUED) == [
        "badges.tasks.issue_in_credly",
        "transcripts.tasks.record_award",
    ]
    assert hooks.keyed(hooks.PROPOSAL_ACTIONS, "publish") is not None
    assert all(hooks.implementations(name) for name in hooks.HOOKS)
