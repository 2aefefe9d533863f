"""The money pages, mounted at /money/: claims, the review queue, payments and the fund dashboard."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from qiancheng.accounts.models import Role
from qiancheng.funding.views import (
    advances,
    appeals,
    claims,
    employment,
    funds,
    payments,
    recoveries,
    returns,
    review,
    uplift,
)
from qiancheng.training.class_tabs import add_class_tab
from qiancheng.web.navigation import add_link
from qiancheng.web.queues import add_queue

app_name = "funding"

OFFICIALS = {Role.PROVINCE_OFFICIAL, Role.CITY_OFFICIAL}

urlpatterns = [
    path("claims/", claims.claim_list, name="claim_list"),
    path("claims/<str:number>/", claims.claim_detail, name="claim_detail"),
    path("claims/<str:number>/withdraw/", claims.withdraw, name="withdraw"),
    path("claims/<str:number>/employment-proof/", claims.employment_proof, name="employment_proof"),
    path("claims/<str:number>/explanation/", review.explanation, name="explanation"),
    path("claims/<str:number>/resubmit/", claims.resubmit, name="resubmit"),
    path("claims/<str:number>/appeal/", appeals.appeal, name="appeal"),
    path("claims/<str:number>/send-back/", review.send_back, name="send_back"),
    path("claims/<str:number>/recover/", recoveries.open_claim_recovery, name="open_recovery"),
    path("claims/<str:number>/topup/check/", review.topup_check, name="topup_check"),
    path("claims/<str:number>/topup/", review.topup, name="topup"),
    path("claims/<str:number>/approve/check/", review.approve_check, name="approve_check"),
    path("claims/<str:number>/approve/", review.approve, name="approve"),
    path("claims/<str:number>/reject/", review.reject, name="reject"),
    path("classes/<int:class_pk>/claim/", claims.class_claim, name="class_claim"),
    path("classes/<int:class_pk>/subsidy/", claims.class_subsidy, name="class_subsidy"),
    path("review/", review.review_queue, name="review_queue"),
    path("review/check/", review.review_check, name="review_check"),
    path("review/confirm/", review.review_confirm, name="review_confirm"),
    path("payments/", payments.payments, name="payments"),
    path("payments/check/", payments.payment_check, name="payment_check"),
    path("payments/confirm/", payments.payment_confirm, name="payment_confirm"),
    path("payments/batches/<str:batch_ref>/", payments.payment_batch, name="payment_batch"),
    path("payments/batches/<str:batch_ref>/approve/", payments.approve_batch, name="approve_batch"),
    path("payments/batches/<str:batch_ref>/refuse/", payments.refuse_batch, name="refuse_batch"),
    path("payments/batches/<str:batch_ref>/list.xlsx", payments.payment_list, name="payment_list"),
    path("payments/batches/<str:batch_ref>/unmasked.xlsx", payments.payment_list_unmasked,
         name="payment_list_unmasked"),
    path("payments/<int:pk>/return/check/", returns.return_check, name="return_check"),
    path("payments/<int:pk>/return/", returns.record_return, name="record_return"),
    path("ai-uplift/", uplift.ai_uplift, name="ai_uplift"),
    path("advances/", advances.advances, name="advances"),
    path("advances/classes/<int:class_pk>/grant/check/", advances.grant_check, name="grant_advance_check"),
    path("advances/classes/<int:class_pk>/grant/", advances.grant, name="grant_advance"),
    path("advances/<int:pk>/settle/", advances.settle, name="settle_advance"),
    path("advances/<int:pk>/recover/", advances.recover, name="recover_advance"),
    path("appeals/", appeals.appeal_queue, name="appeals"),
    path("appeals/<int:pk>/", appeals.appeal_detail, name="appeal_detail"),
    path("appeals/documents/<int:pk>/", appeals.appeal_document, name="appeal_document"),
    path("employment/", employment.employment, name="employment"),
    path("recoveries/", recoveries.recovery_list, name="recoveries"),
    path("recoveries/<int:pk>/repay/", recoveries.repayment, name="repayment"),
    path("recoveries/<int:pk>/write-off/check/", recoveries.write_off_check, name="write_off_check"),
    path("recoveries/<int:pk>/write-off/", recoveries.write_off, name="write_off"),
    path("funds/", funds.fund_dashboard, name="funds"),
    path("funds/allocate/", funds.allocate_funds, name="allocate"),
    path("funds/allocate/confirm/", funds.allocate_confirm, name="allocate_confirm"),
    path("funds/allocations/<int:pk>/", funds.decide_allocation, name="decide_allocation"),
]

# Loaded with the URLconf, before any page draws its navigation bar or the officials' queues.
add_link(_("补贴申领"), "funding:claim_list", {Role.INSTITUTION, Role.ENTERPRISE, Role.TRAINEE}, order=40)
add_link(_("申领审核"), "funding:review_queue", OFFICIALS, order=40)
add_link(_("资金拨付"), "funding:payments", OFFICIALS, order=41)
add_link(_("信用支付"), "funding:advances", OFFICIALS, order=42)
add_link(_("申诉复核"), "funding:appeals", OFFICIALS, order=42)
add_link(_("就业补贴"), "funding:employment", OFFICIALS, order=43)
add_link(_("追回"), "funding:recoveries", OFFICIALS, order=44)
add_link(_("资金看板"), "funding:funds", OFFICIALS, order=45)
add_link(_("人工智能补贴上浮"), "funding:ai_uplift", {Role.PROVINCE_OFFICIAL}, order=46)
add_queue("claims", _("补贴申领待审核"), "funding:review_queue", review.pending_claims, since="submitted_at",
          roles=OFFICIALS, order=40)
add_queue("appeals", _("申诉待裁决"), "funding:appeals", appeals.filed_appeals, since="filed_at", roles=OFFICIALS,
          order=41)

# 补贴, the class page's last tab: the class's claims, for officials and claimants.
add_class_tab("subsidy", _("补贴"), "funding:class_subsidy", kwarg="class_pk", order=50,
              shown=lambda user, training: user.role in claims.SUBSIDY_READERS)
