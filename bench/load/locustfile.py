"""Locust: institutions filing claims and city officials deciding them, through the real API.

    LOAD_CLIENTS=/tmp/load/clients.json LOAD_INSTITUTIONS=16 LOAD_OFFICIALS=4 \\
        locust -f bench/load/locustfile.py --headless -u 20 -r 20 -t 60s --host http://127.0.0.1:8100

The clients file is bench/load/prepare.py's. Each institution client is one institution's login (its bearer
token) filing, one after another with no think time, `POST /api/v1/claims` for its claimable enrolments
(each with an Idempotency-Key of its own; the institution is the party that advanced the cost and claims).
Each claim filed goes to the queue of its city; an official client of that city takes it and answers
`POST /api/v1/claims/{number}/review`: approve when the engine found it eligible, reject otherwise, as a
reviewer would. Any answer but 201 (filing) or 200 (review) is a failure in Locust's statistics; an
institution whose enrolments are used up stops.

LOAD_INSTITUTIONS and LOAD_OFFICIALS fix the number of each kind of client (Locust's `fixed_count`), so
`-u` must be their sum.
"""

from __future__ import annotations

import itertools
import json
import os
import uuid
from collections import deque
from pathlib import Path

import gevent
from locust import HttpUser, constant, events, task
from locust.exception import StopUser

CLIENTS = json.loads(Path(os.environ["LOAD_CLIENTS"]).read_text(encoding="utf-8"))
INSTITUTIONS = CLIENTS["institutions"]
CITIES = sorted(CLIENTS["officials"])
# Claims filed and not yet reviewed, by city: filled by institution clients, drained by that city's officials.
TO_REVIEW: dict[str, deque[tuple[str, bool]]] = {city: deque() for city in CITIES}
# Each run takes institutions of its own (bench/load/run.py), so no enrolment is offered to two runs.
FIRST_INSTITUTION = int(os.environ.get("LOAD_FIRST_INSTITUTION", "0"))
_next_institution = itertools.count()
_next_official = itertools.count()
OUTCOMES = {"filed": 0, "approved": 0, "rejected": 0}


class Institution(HttpUser):
    fixed_count = int(os.environ.get("LOAD_INSTITUTIONS", "16"))
    wait_time = constant(0)

    def on_start(self) -> None:
        index = FIRST_INSTITUTION + next(_next_institution)
        if index >= len(INSTITUTIONS):
            raise StopUser  # more clients than prepared institutions
        self.me = INSTITUTIONS[index]
        self.work = deque(self.me["enrolments"])
        self.headers = {"Authorization": f"Bearer {self.me['token']}"}

    @task
    def file_claim(self) -> None:
        if not self.work:
            raise StopUser
        enrolment = self.work.popleft()
        body = {"enrolment_id": enrolment["id"], "fund": enrolment["fund"],
                "advanced_by": "institution", "advanced_by_ref": self.me["uscc"],
                "claimant": "institution", "claimant_ref": self.me["uscc"]}
        with self.client.post("/api/v1/claims", json=body, name="POST /claims (file)", catch_response=True,
                              headers={**self.headers, "Idempotency-Key": str(uuid.uuid4())}) as response:
            if response.status_code != 201:
                response.failure(f"{response.status_code} {response.text[:200]}")
                return
            claim = response.json()
            OUTCOMES["filed"] += 1
            TO_REVIEW[self.me["city"]].append((claim["number"], bool(claim["eligible"])))


class Official(HttpUser):
    fixed_count = int(os.environ.get("LOAD_OFFICIALS", "4"))
    wait_time = constant(0)

    def on_start(self) -> None:
        index = next(_next_official)
        self.city = CITIES[index % len(CITIES)]
        tokens = CLIENTS["officials"][self.city]
        self.headers = {"Authorization": f"Bearer {tokens[(index // len(CITIES)) % len(tokens)]}"}

    @task
    def review(self) -> None:
        queue = TO_REVIEW[self.city]
        if not queue:
            gevent.sleep(0.05)  # nothing filed yet in this city: not a request, not timed
            return
        number, eligible = queue.popleft()
        action = "approve" if eligible else "reject"
        body = {"action": action, "note": "负载测试 / load test"}
        with self.client.post(f"/api/v1/claims/{number}/review", json=body, name=f"POST /claims/{{n}}/review ({action})",
                              catch_response=True,
                              headers={**self.headers, "Idempotency-Key": str(uuid.uuid4())}) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} {response.text[:200]}")
                return
            OUTCOMES["approved" if action == "approve" else "rejected"] += 1


@events.quitting.add_listener
def _report(environment: object, **_: object) -> None:
    left = sum(len(queue) for queue in TO_REVIEW.values())
    print(f"outcomes: {json.dumps(OUTCOMES)}; filed but not reviewed when the run ended: {left}")
