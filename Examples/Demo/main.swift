print("demo: placeholder until the NN issue lands")
