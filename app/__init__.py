"""Referral-network service directory for anti-trafficking work in Bangladesh."""
