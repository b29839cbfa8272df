"""A client for `hexarch serve` using only Python's standard library.

    guardian = Guardian("http://127.0.0.1:8099", api_key=os.environ.get("HEXARCH_KEY"))

    @guardian.guard("safe_delete", context={"operation": "delete", "resource": "users"})
    def drop_users():
        ...

    drop_users()              # raises PolicyViolation: the policy requires confirmation
    drop_users(confirm=True)  # asks for a confirmation token, presents it once, then runs

It mirrors the seed SDK's ``@guardian.check("safe_delete")``; decisions come from the server, so every
language and process shares the same counters and budgets.
"""

import functools
import json
import urllib.error
import urllib.request


class PolicyViolation(Exception):
    """A call the policy refused; ``decision`` is the server's answer (outcome, reason, retry_after...)."""

    def __init__(self, decision):
        super().__init__(decision.get("reason", "refused by policy"))
        self.decision = decision


class Guardian:
    """Decides calls on a hexarch decision server."""

    def __init__(self, url="http://127.0.0.1:8099", api_key=None, timeout=2.0):
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout

    def _post(self, path, body):
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = "Bearer " + self.api_key
        request = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            problem = json.load(error)
            raise ValueError("hexarch server refused the request ({}): {}".format(error.code, problem.get("detail"))) from None

    def decide(self, policy=None, context=None, dry_run=False, confirm_token=None):
        """The decision for one call: a dict with id, outcome, allowed, reason, retry_after, counters..."""
        body = {"context": context or {}}
        if policy is not None:
            body["policy"] = policy
        if dry_run:
            body["dry_run"] = True
        if confirm_token is not None:
            body["confirm_token"] = confirm_token
        return self._post("/v1/decisions", body)

    def settle(self, decision_id, cost=None, usage=None):
        """Replaces a decision's reserved estimate with what the call cost (or the provider's usage)."""
        return self._post("/v1/decisions/{}/settle".format(decision_id), {"cost": cost} if usage is None else {"usage": usage})

    def provider_call(self, provider, cost, **fields):
        """Records a call made to a model provider and charges its cost to the budgets."""
        return self._post("/v1/events/provider-calls", dict(fields, provider=provider, cost=cost))

    def guard(self, policy, context=None):
        """Decorator: the function runs only when `policy` allows; ``confirm=True`` confirms through a token."""

        def decorate(function):
            @functools.wraps(function)
            def guarded(*args, confirm=False, **kwargs):
                decision = self.decide(policy, context)
                if decision["outcome"] == "confirm" and confirm:
                    decision = self.decide(policy, context, confirm_token=decision["confirm"]["token"])
                if not decision["allowed"]:
                    raise PolicyViolation(decision)
                return function(*args, **kwargs)

            return guarded

        return decorate
