"""What the tests share: generators, oracles, runners and the suite's scale.

- :mod:`.scale`: how much the property tests and real-network oracles run (profiles);
- :mod:`.cli`: a command run in this process (``run``);
- :mod:`.processes`: commands run in a process of their own (exit codes, CPU, peak);
- :mod:`.generated_specs`: the random spec generator the property tests share;
- :mod:`.brute_valid`, :mod:`.oracle_pads`, :mod:`.oracle_torch`: the brute-force and
  PyTorch oracles; :mod:`.torch_nets`: real architectures in plain PyTorch;
- :mod:`.ci_formats`: readers of every CI output format; :mod:`.report_page`: the
  report page's data, read back.
"""
