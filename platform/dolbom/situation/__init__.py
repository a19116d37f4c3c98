"""The situation room (통합돌봄상황실): one read-only screen where the 시군구 sees where every
open case stands, what is late, who was newly found this week and which complaints wait."""
