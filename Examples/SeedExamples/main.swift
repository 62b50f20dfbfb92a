print("seed examples: coming with the grad API")
