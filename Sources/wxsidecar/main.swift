print("wxsidecar")
