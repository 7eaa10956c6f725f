from accounts.access import ADMIN, Grants, Rule
from accounts.models import StaffRole

_TAM = frozenset(
    f"sso.{verb}_{model}" for verb in ("view", "add", "change", "delete") for model in ("ssoconnection", "ssodomain")
)

GRANTS = Grants(
    actions={
        # Issue 20: the company's identity provider is set up by its account admin or its TAM.
        "sso.manage": Rule(customers=frozenset({ADMIN}), staff="sso.change_ssoconnection"),
        # A domain proved by the TAM instead of a DNS record: staff only, audited (sso.services.domain_confirm).
        "sso.confirm_domain": Rule(staff="sso.change_ssodomain"),
    },
    roles={StaffRole.TAM: _TAM},  # an agent has no part in it
)
