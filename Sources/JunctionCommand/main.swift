// The `junction` command line.
print("junction")
