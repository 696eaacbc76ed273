"""Learning: learners join a published micro-credential and submit evidence; evaluators accept or
return it, and the last accepted piece makes the award."""
