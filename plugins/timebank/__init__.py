"""Time bank plugin (时间银行, 姚坊门 model): volunteers deposit service hours."""
__version__ = "0.1.0"
