package io.selfinstruct.web.admin;

import tools.jackson.databind.node.ObjectNode;

/** Turns filled-in form fields into the named fields of an API request body. */
final class FormFields {

    private FormFields() {}

    /** Sets {@code field} to the stripped value; an HTML form sends an unset field as blank, which is left out. */
    static void put(ObjectNode node, String field, String value) {
        if (value != null && !value.isBlank()) {
            node.put(field, value.strip());
        }
    }
}
