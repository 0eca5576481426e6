from django.urls import path
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.views import (
    TokenBlacklistView,
    TokenObtainPairView,
    TokenRefreshView,
)


class Me(APIView):
    """The protected view: who the access token names."""

    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({"id": request.user.pk})


urlpatterns = [
    path("token/", TokenObtainPairView.as_view()),
    path("token/refresh/", TokenRefreshView.as_view()),
    path("token/blacklist/", TokenBlacklistView.as_view()),
    path("me/", Me.as_view()),
]
