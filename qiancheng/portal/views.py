from django.http import HttpResponse


def forbidden(request, exception=None):
    return HttpResponse("403", status=403)


def not_found(request, exception=None):
    return HttpResponse("404", status=404)


def server_error(request):
    return HttpResponse("500", status=500)
