"""TEST SUPPORT ONLY: being a verified official without typing a code.

Existing tests sign officials in with `client.force_login(user)` (through the root conftest's `login`
fixture) or issue API tokens directly. Since officials must pass the second factor, those sessions and
tokens would be refused; `pass_second_factor` is the one way a test says "this official has passed it":

    login(client, official)                                     # the conftest fixture calls it for you
    pass_second_factor(official, client)                        # after your own client.force_login
    issue_api_token(official, second_factor=pass_second_factor(official))

It gives the user a confirmed authenticator (made if missing) and marks the client's session verified
exactly as `django_otp.login` does (the device's persistent id under `otp_device_id`). Tests of the
enforcement itself (accounts/tests/test_second_factor.py) do not use it.
"""

from __future__ import annotations

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from qiancheng.accounts.models import User
from qiancheng.accounts.second_factor import TOTP_DEVICE_NAME, confirmed_totp, required_for


def pass_second_factor(user: User, client: Client | None = None) -> TOTPDevice | None:
    """For a user who must pass the second factor: their confirmed authenticator (made if missing), and the
    client's session (already signed in as `user`) marked verified. None, doing nothing, for anyone else."""
    if not required_for(user):
        return None
    device = confirmed_totp(user) or TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=True)
    if client is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return device


def code_now(device: TOTPDevice) -> str:
    """The code an authenticator app shows now for `device`'s secret (RFC 6238), or the next step's when
    this step's was already used (the device refuses a code twice; its tolerance accepts the next one)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    step = totp.t()
    while step <= device.last_t:
        step += 1
    totp.time = device.t0 + (step - device.drift) * device.step
    return f"{totp.token():0{device.digits}d}"
