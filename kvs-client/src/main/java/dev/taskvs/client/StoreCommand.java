package dev.taskvs.client;

import dev.taskvs.client.codec.text.TextCommand;

/** The storage commands that need no CAS. */
public enum StoreCommand
{
    SET(TextCommand.SET),
    ADD(TextCommand.ADD),
    REPLACE(TextCommand.REPLACE),
    APPEND(TextCommand.APPEND),
    PREPEND(TextCommand.PREPEND);

    private final TextCommand textCommand;

    StoreCommand(final TextCommand textCommand)
    {
        this.textCommand = textCommand;
    }

    TextCommand textCommand()
    {
        return textCommand;
    }
}
