package dev.taskvs.client;

import dev.taskvs.client.codec.ResponseDecoder;
import dev.taskvs.client.codec.binary.BinaryRequestEncoder;
import dev.taskvs.client.codec.binary.BinaryResponseDecoder;
import dev.taskvs.client.codec.meta.MetaRequestEncoder;
import dev.taskvs.client.codec.meta.MetaResponseDecoder;
import dev.taskvs.client.codec.text.TextRequestEncoder;
import dev.taskvs.client.codec.text.TextResponseDecoder;

/** The encoders of one connection (meta connections also send classic commands) and its protocol's decoder. */
final class Codecs
{
    final Protocol protocol;
    final TextRequestEncoder text = new TextRequestEncoder();
    final MetaRequestEncoder meta = new MetaRequestEncoder();
    final BinaryRequestEncoder binary = new BinaryRequestEncoder();

    Codecs(final Protocol protocol)
    {
        this.protocol = protocol;
    }

    ResponseDecoder newDecoder()
    {
        switch (protocol)
        {
            case TEXT: return new TextResponseDecoder();
            case META: return new MetaResponseDecoder();
            default: return new BinaryResponseDecoder();
        }
    }
}
