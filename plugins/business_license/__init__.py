"""Business licence plugin (个体工商户登记): registration with credit review and licence."""
__version__ = "0.1.0"
