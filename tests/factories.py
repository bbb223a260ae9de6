"""factory_boy factories for the catalog and users with roles."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from bif import roles
from departments import services
from departments.models import DataSource, Department


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = "Erika"
    last_name = factory.Sequence(lambda n: f"Muster{n}")
    password = factory.django.Password("geheim-und-lang-2026")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"Fachbereich {n}")
    code = factory.Sequence(lambda n: f"fb{n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.create_department(**kwargs)


class DataSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DataSource

    name = factory.Sequence(lambda n: f"Datenquelle {n}")
    slug = factory.Sequence(lambda n: f"quelle-{n}")
    department = factory.SubFactory(DepartmentFactory)
    fachverfahren = "Fachverfahren X"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.create_data_source(**kwargs)


def staff_user(**kwargs):
    return UserFactory(role=roles.STAFF, **kwargs)


def analyst_of(department, **kwargs):
    user = UserFactory(**kwargs)
    services.add_member(user=user, department=department, analyst=True)
    return user


def statistician(**kwargs):
    return UserFactory(role=roles.STATISTICIAN, **kwargs)


def administrator(**kwargs):
    user = UserFactory(role=roles.ADMINISTRATION, **kwargs)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user
