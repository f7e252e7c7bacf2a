"""Archive query plugin ("e站通" 档案查询): five archive categories at any station."""
__version__ = "0.1.0"
