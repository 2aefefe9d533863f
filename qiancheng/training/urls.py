"""Pages of classes, rosters, roster imports and attendance, mounted at /classes/."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from qiancheng.accounts.models import Role
from qiancheng.training import follow_up_views, views
from qiancheng.training.class_tabs import add_class_tab
from qiancheng.web.navigation import add_link
from qiancheng.web.queues import add_queue

app_name = "training"
urlpatterns = [
    path("", views.class_list, name="class_list"),
    path("new/", views.class_new, name="class_new"),
    path("queue/", views.class_queue, name="class_queue"),
    path("attendance-threshold/", views.attendance_threshold, name="attendance_threshold"),
    path("roster-template.xlsx", views.roster_template, name="roster_template"),
    path("attendance-template.xlsx", views.attendance_sheet_template, name="attendance_template"),
    path("<int:pk>/", views.class_detail, name="class_detail"),
    path("<int:pk>/approve/", views.class_approve, name="class_approve"),
    path("<int:pk>/finish/", views.class_finish, name="class_finish"),
    path("<int:pk>/refuse/", views.class_refuse, name="class_refuse"),
    path("<int:pk>/enrol/check/", views.enrol_check, name="enrol_check"),
    path("<int:pk>/enrol/", views.enrol, name="enrol"),
    # GET: the tab; POST: upload a roster / record a session, at the addresses they always had.
    path("<int:pk>/roster/", views.class_roster, name="class_roster"),
    path("<int:pk>/attendance/", views.class_attendance, name="class_attendance"),
    path("<int:pk>/attendance/upload/", views.attendance_upload, name="attendance_upload"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/apply/", views.import_apply, name="import_apply"),
    path("imports/<int:pk>/discard/", views.import_discard, name="import_discard"),
]
urlpatterns += follow_up_views.urlpatterns

add_link(_("培训班"), "training:class_list", roles={Role.INSTITUTION, Role.CITY_OFFICIAL, Role.PROVINCE_OFFICIAL},
         order=30)
add_queue("classes", _("开班申请"), "training:class_queue", views.pending_classes, since="submitted_at",
          roles={Role.CITY_OFFICIAL, Role.PROVINCE_OFFICIAL}, order=20)

# The class page's own tabs; evaluation adds 考核 and funding 补贴 from their urls modules.
add_class_tab("overview", _("概况"), "training:class_detail", order=10)
add_class_tab("roster", _("名册"), "training:class_roster", order=20)
add_class_tab("attendance", _("考勤"), "training:class_attendance", order=30)
