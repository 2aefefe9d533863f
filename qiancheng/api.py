"""The HTTP API: one NinjaAPI, one router per app, OpenAPI at /api/v1/docs."""

from ninja import NinjaAPI

# Imported for their routes, which they add to other routers: the money routers (payment batches, allocation
# review, write-off), demand's (workers' gaps, consent), insight's (matching, what-if), the classes' (follow-up).
import qiancheng.demand.worker_api
import qiancheng.funding.api_four_eyes
import qiancheng.insight.matching_api
import qiancheng.insight.what_if_api
import qiancheng.training.follow_up_api  # noqa: F401
from qiancheng.accounts.api import router as accounts_router
from qiancheng.accounts.api_auth import TokenAuth
from qiancheng.accounts.api_errors import install_error_handlers
from qiancheng.brands.api import router as brands_router
from qiancheng.catalog.api import router as catalog_router
from qiancheng.demand.api import router as demand_router
from qiancheng.evaluation.api import results_router
from qiancheng.evaluation.api import router as certificates_router
from qiancheng.funding.api import claims_router, funds_router, payments_router, recoveries_router
from qiancheng.insight.api import router as insight_router
from qiancheng.policy.api import router as policy_router
from qiancheng.portal.api import router as people_router
from qiancheng.projects.api import router as projects_router
from qiancheng.providers.api import router as institutions_router
from qiancheng.risk.api import router as risk_router
from qiancheng.sanctions.api import router as sanctions_router
from qiancheng.training.api import classes_router, imports_router

api = NinjaAPI(
    title="Qiancheng API",
    version="1",
    description="技能照亮前程 — the API for cities, institutions and other systems. 中文错误信息 with English.",
    auth=TokenAuth(),
    urls_namespace="api",
)
# Every error answers {"code", "message_zh", "message_en"} (accounts/api_errors.py).
install_error_handlers(api)
api.add_router("/auth", accounts_router)
api.add_router("/catalog", catalog_router)
api.add_router("/decisions", policy_router)
api.add_router("/funds", funds_router)
api.add_router("/claims", claims_router)
api.add_router("/payments", payments_router)
api.add_router("/institutions", institutions_router)
api.add_router("/demand", demand_router)
api.add_router("/sanctions", sanctions_router)
api.add_router("/classes", classes_router)
api.add_router("/imports", imports_router)
api.add_router("/projects", projects_router)
api.add_router("/recoveries", recoveries_router)
api.add_router("/certificates", certificates_router)
api.add_router("/results", results_router)
api.add_router("/insight", insight_router)
api.add_router("/risk", risk_router)
api.add_router("/brands", brands_router)
api.add_router("/people", people_router)
