"""Background entry points (django-tasks): immediate in dev/tests, db_worker in production."""

from __future__ import annotations

from django_tasks import task

from loanhub.accounts.models import User

from .services import approval_train, challenger_train


@task()
def train_challenger_task(user_id: int | None) -> int:
    user = User.objects.filter(pk=user_id).first() if user_id else None
    return challenger_train(user=user).pk


@task()
def train_approval_task(user_id: int | None) -> int:
    user = User.objects.filter(pk=user_id).first() if user_id else None
    return approval_train(user=user).pk
