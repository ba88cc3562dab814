import TrustGateX509
print("x")
