"""Notifications: the same message within a minute is sent once (in the app and by e-mail)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from loanhub.accounts.models import Notification
from loanhub.accounts.services import notify
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


def test_the_same_notification_twice_in_a_minute_is_sent_once(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(user=user, title="机构已受理您的申请", body="甲银行·税易贷", link="/x/")
        second = notify(user=user, title="机构已受理您的申请", body="甲银行·税易贷", link="/x/")
    assert second.pk == first.pk
    assert Notification.objects.filter(user=user).count() == 1
    assert len(mail.outbox) == 1


def test_different_messages_or_people_are_each_notified():
    user, other = UserFactory(), UserFactory()
    notify(user=user, title="机构已受理您的申请", body="甲银行·税易贷", link="/x/")
    notify(user=user, title="机构已受理您的申请", body="乙银行·知产融", link="/x/")
    notify(user=user, title="机构已受理您的申请", body="甲银行·税易贷", link="/y/")
    notify(user=other, title="机构已受理您的申请", body="甲银行·税易贷", link="/x/")
    assert Notification.objects.filter(user=user).count() == 3
    assert Notification.objects.filter(user=other).count() == 1


def test_the_same_message_after_a_minute_is_a_new_notification():
    user = UserFactory()
    first = notify(user=user, title="线索即将超时", link="/cms-admin/leads/1/")
    Notification.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(seconds=61))
    second = notify(user=user, title="线索即将超时", link="/cms-admin/leads/1/")
    assert second.pk != first.pk
