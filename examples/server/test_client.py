"""Runs the standard-library client against a live `hexarch serve` of examples/server/hexarch.yaml (HEXARCH_URL)."""

import os
import unittest
import uuid

from hexarch_client import Guardian, PolicyViolation

guardian = Guardian(os.environ.get("HEXARCH_URL", "http://127.0.0.1:8099"), api_key=os.environ.get("HEXARCH_KEY"))


class GuardDecorator(unittest.TestCase):
    def test_refuses_until_confirmed_then_runs_once_confirmed(self):
        ran = []

        @guardian.guard("safe_delete", context={"operation": "delete", "resource": "users"})
        def drop_users():
            ran.append(True)
            return "dropped"

        with self.assertRaises(PolicyViolation) as refused:
            drop_users()
        self.assertEqual(refused.exception.decision["outcome"], "confirm")
        self.assertEqual(ran, [])
        self.assertEqual(drop_users(confirm=True), "dropped")
        self.assertEqual(ran, [True])

    def test_rate_limit_refuses_the_sixth_message_with_retry_after(self):
        user = "py-" + uuid.uuid4().hex

        @guardian.guard("webhook_rate_limit", context={"resource": "discord", "user": user})
        def send(message):
            return message

        for i in range(5):
            self.assertEqual(send("hello"), "hello")
        with self.assertRaises(PolicyViolation) as limited:
            send("one too many")
        self.assertEqual(limited.exception.decision["outcome"], "limit")
        self.assertGreater(limited.exception.decision["retry_after"], 0)


class Budgets(unittest.TestCase):
    def used(self):
        return guardian.decide("openai_budget", {"resource": "openai", "cost": 0}, dry_run=True)["counters"][0]["used"]

    def test_settle_and_provider_call_events_charge_the_budget(self):
        before = self.used()
        decision = guardian.decide("openai_budget", {"resource": "openai", "cost": 0.5})
        self.assertTrue(decision["allowed"])
        guardian.settle(decision["id"], cost=0.2)
        self.assertAlmostEqual(self.used(), before + 0.2)
        guardian.provider_call("openai", 0.3, model="gpt-4o", input_tokens=1200, output_tokens=300, latency_ms=850, ok=True)
        self.assertAlmostEqual(self.used(), before + 0.5)

    def test_bad_request_names_the_field(self):
        with self.assertRaises(ValueError) as bad:
            guardian.decide("openai_budget", {"resource": "openai", "colour": "red"})
        self.assertIn("context.colour", str(bad.exception))


if __name__ == "__main__":
    unittest.main()
