"""Writes to the catalog: departments, data sources, memberships.

Views, admin actions, the API and the demo seeder all call these functions.
"""

from django.contrib.auth.models import Group
from django.db import transaction
from guardian.shortcuts import assign_perm

from bif import roles

from .models import DataSource, Department, DepartmentMembership, SchemaVersion


@transaction.atomic
def create_department(*, name, code, description=""):
    group, _created = Group.objects.get_or_create(name=f"Fachbereich {code}")
    department, _created = Department.objects.get_or_create(
        code=code,
        defaults={"name": name, "description": description, "analyst_group": group},
    )
    if department.analyst_group_id is None:
        department.analyst_group = group
        department.save(update_fields=["analyst_group"])
    return department


@transaction.atomic
def create_data_source(*, department, slug, name, **fields):
    source, created = DataSource.objects.get_or_create(
        slug=slug, defaults={"name": name, "department": department, **fields}
    )
    if created and department.analyst_group_id:
        # The department's analysts may upload exports for every source of their department.
        assign_perm("upload_datasource", department.analyst_group, source)
    return source


@transaction.atomic
def add_member(*, user, department, analyst=True, head=False):
    DepartmentMembership.objects.update_or_create(
        user=user, department=department, defaults={"is_head": head}
    )
    if analyst:
        user.groups.add(Group.objects.get(name=roles.ANALYST))
        if department.analyst_group_id:
            user.groups.add(department.analyst_group)


@transaction.atomic
def set_schema(source, descriptor, *, user=None):
    """Store a new version of the source's Table Schema unless it equals the current one."""
    current = source.schemas.order_by("-version").first()
    if current and current.descriptor == descriptor:
        return current
    version = (current.version + 1) if current else 1
    return SchemaVersion.objects.create(
        source=source, version=version, descriptor=descriptor, created_by=user
    )
