"""The ratings of property companies: evidence, credit, publication, the red/black lists.

Services by concern: ``periods``, ``settings``, ``surveys``, ``evidence`` (inspections and
complaints), ``credit`` (records and objections), ``rectifications``, ``scoring``,
``publication``, ``report``; ``panels`` for other packages' pages; ``rules`` is pure.
"""
