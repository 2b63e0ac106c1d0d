"""Prints the schemathesis configuration of existing records for one role's contract run.

A body that names another record (`budget_line_id`, `bid_id`, a user's `purchaser_id` …) is
refused with 422 `reference.unknown` when the record does not exist, and a transition on a
record whose own data forbids it (a tender's deadline) with 422 too: rules no schema can state.
So that generated requests reach the rules behind them, the operations that name records get
the ids of the demo's own, read here through the API as the role sees them.

    python3 ids.py URL TOKEN >> schemathesis.toml
"""

import datetime
import json
import sys
import urllib.request

url, token = sys.argv[1], sys.argv[2]


def get(path):
    req = urllib.request.Request(url + "/api/v1" + path, headers={"Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(req) as r:
            return json.load(r)
    except urllib.error.HTTPError:
        return None


def post(path):
    req = urllib.request.Request(
        url + "/api/v1" + path, method="POST", headers={"Authorization": "Bearer " + token}
    )
    with urllib.request.urlopen(req) as r:
        return json.load(r)


def toml(v):
    if isinstance(v, dict):
        return "{ " + ", ".join(json.dumps(k) + " = " + toml(x) for k, x in v.items()) + " }"
    return json.dumps(v)


def operation(name, **parameters):
    print("\n[[operations]]")
    print("include-name = " + json.dumps(name))
    print("parameters = " + toml(parameters))


me = get("/me")
role = me["role"]
orgs = get("/organisations?status=active&limit=500") or {"items": []}
org = orgs["items"][0]["id"] if orgs["items"] else None

# Dates near today, where the demo's contracts, posts and milestones run, for the date fields
# whose rules compare them with a record's (inside the contract's period, not in the future …).
today = datetime.date.today()
near = [str(today + datetime.timedelta(days=d)) for d in (-60, -30, -7, -2, 0, 2, 7, 30, 90, 180, 300)]
past = [str(today - datetime.timedelta(days=d)) for d in (2, 7, 30)]
print("\n[dictionaries.near_today]\nvalues = " + json.dumps(near))
print("\n[dictionaries.past]\nvalues = " + json.dumps(past))
print("\n[parameters]")
for field in ("due_date", "start_date", "end_date", "from_date", "to_date", "service_start", "service_end"):
    print('"body.%s" = { dictionary = "near_today", probability = 0.8 }' % field)
for field in ("paid_on", "invoice_date"):
    print('"body.%s" = { dictionary = "past", probability = 0.8 }' % field)

if role == "finance_officer":
    lines = get("/budget-lines?limit=500")["items"]
    line = max(lines, key=lambda l: float(l["available"]))
    common = {"body.purchaser_id": me["purchaser_id"], "body.budget_line_id": line["id"]}
    operation("POST /api/v1/tenders", **common)
    operation(
        "POST /api/v1/contracts",
        **common,
        **{"body.organisation_id": org, "body.responsible_officer_id": me["id"]},
    )
    drafts = get("/tenders?status=draft")["items"]
    if drafts:
        operation("POST /api/v1/tenders/{id}/publish", **{"path.id": drafts[0]["id"]})
        operation(
            "PATCH /api/v1/tenders/{id}",
            **{"path.id": drafts[0]["id"], "body.budget_line_id": line["id"]},
        )
    # Milestones, posts and indicators on an active contract running today (the dates drawn
    # near today fall in its period); a payment of an approved request.
    running = [
        c for c in get("/contracts?status=active&limit=500")["items"]
        if c["start_date"] <= str(today) <= c["end_date"]
    ]
    if running:
        # The one with the most room left under its value, for new milestones.
        def room(c):
            planned = sum(float(m["amount"]) for m in get("/contracts/%s/milestones" % c["id"])["items"]
                          if m["status"] != "cancelled")
            return float(c["value"]) - planned

        contract = max(running, key=room)
        start = datetime.date.fromisoformat(contract["start_date"])
        end = datetime.date.fromisoformat(contract["end_date"])
        inside = sorted({str(start + (end - start) * k // 10) for k in range(11)})
        print("\n[dictionaries.inside_contract]\nvalues = " + json.dumps(inside))
        print("\n[dictionaries.small_amounts]\nvalues = [\"0.01\", \"1.00\", \"100.00\"]")
        print("\n[dictionaries.contract_end]\nvalues = " + json.dumps([contract["end_date"]]))
        value = float(contract["signed_value"] or contract["value"])
        raised = ["%.2f" % (value * f) for f in (1.02, 1.05)]
        print("\n[dictionaries.amended_value]\nvalues = " + json.dumps(raised))
        dates = {"dictionary": "inside_contract", "probability": 1.0}
        for path, extra in (
            ("milestones", {"body.due_date": dates, "body.amount": {"dictionary": "small_amounts", "probability": 1.0}}),
            ("posts", {"body.start_date": dates, "body.end_date": dates}),
            ("indicators", {}),
            ("amendments", {"body.end_date": {"dictionary": "contract_end", "probability": 1.0},
                            "body.value": {"dictionary": "amended_value", "probability": 1.0}}),
            ("payment-requests", {}),
        ):
            operation("POST /api/v1/contracts/{id}/" + path, **{"path.id": contract["id"]}, **extra)
        # Changes to one of its planned milestones: a due date inside its period, a small amount
        # (links lead to milestones of other contracts, whose periods the drawn dates miss).
        planned = [m for m in get("/contracts/%s/milestones" % contract["id"])["items"] if m["status"] == "planned"]
        if planned:
            operation(
                "PATCH /api/v1/milestones/{id}",
                **{"path.id": planned[0]["id"], "body.due_date": dates,
                   "body.amount": {"dictionary": "small_amounts", "probability": 1.0}},
            )
    # Changes to a draft contract, a direct award's if there is one (a tendered contract keeps
    # its bid's value).
    drafts = sorted(get("/contracts?status=draft")["items"], key=lambda c: c["tender_id"] is not None)
    if drafts:
        operation("PATCH /api/v1/contracts/{id}", **{"path.id": drafts[0]["id"]})
    approved = get("/payment-requests?status=approved")["items"]
    if approved:
        operation(
            "POST /api/v1/contracts/{id}/payments",
            **{"path.id": approved[0]["contract_id"], "body.payment_request_id": approved[0]["id"]},
        )
    # A published tender past its deadline with bids enough is closed, for the award.
    now = datetime.datetime.now(datetime.timezone.utc).isoformat()
    for tender in get("/tenders?status=published")["items"]:
        bids = get("/tenders/%s/bids" % tender["id"])["items"]
        if tender["bid_deadline"] < now and len(bids) >= 2:
            post("/tenders/%s/close" % tender["id"])
    for tender in get("/tenders?status=closed")["items"]:
        bids = get("/tenders/%s/bids" % tender["id"])["items"]
        if bids:
            cheapest = min(bids, key=lambda b: float(b["amount"]))
            operation(
                "POST /api/v1/tenders/{id}/award",
                **{"path.id": tender["id"], "body.bid_id": cheapest["id"]},
            )
            break
