from rest_framework.throttling import SimpleRateThrottle


class CallerRateThrottle(SimpleRateThrottle):
    """One budget per service key and one per user (THROTTLE_RATE_SERVICE / _USER).

    Counts live in the Django cache: per process with the default local-memory cache, shared
    across workers with CACHE_URL pointing at Redis or Memcached.
    """

    def allow_request(self, request, view):
        caller = request.user
        if caller is None or not getattr(caller, "is_authenticated", False):
            return True  # refused by authentication first
        self.scope = "service" if caller.is_service else "user"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_rate(self):
        if not getattr(self, "scope", None):
            return None
        return super().get_rate()

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": request.user.throttle_key}
