"""The sysupgrade steps (upgrade_script.md): export, upgrade, apply, clean, status."""
