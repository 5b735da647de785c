from django import forms


class DeleteAccountForm(forms.Form):
    """Confirmed with the password; a member who only ever signed in through the association's
    provider has none, and types their email address instead."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="To be sure it is you.",
    )
    confirm = forms.BooleanField(
        label="I understand that my account and my private data are deleted for good.",
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.has_usable_password():
            self.fields["password"] = forms.CharField(
                label="Your email address",
                widget=forms.EmailInput(attrs={"autocomplete": "email"}),
                help_text="You sign in through the association, so you have no password here: "
                "type your email address to be sure it is you.",
            )

    def clean_password(self) -> str:
        value = self.cleaned_data["password"]
        if self.user.has_usable_password():
            if not self.user.check_password(value):
                raise forms.ValidationError("That is not your password. Try again.")
        elif value.strip().lower() != self.user.email.lower():
            raise forms.ValidationError("That is not your email address. Try again.")
        return value
