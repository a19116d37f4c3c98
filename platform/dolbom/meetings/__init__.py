"""Integrated support meetings (통합지원회의): the 시군구 meets with the 보건소, 읍면동, providers and
local experts and decides per case: 승인 (approve), 변경 (back to the plan), 종결 (close)."""
