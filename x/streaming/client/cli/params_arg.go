package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"
	"google.golang.org/protobuf/types/known/durationpb"

	"cosmossdk.io/client/v2/autocli/flag"
)

// ParamsName is the protobuf name of the module's params.
const ParamsName protoreflect.FullName = "streamchain.streaming.v1.Params"

// ParamsArgType is the autocli argument type for the module's params
// (update-params-proposal): JSON, or a .json file, as autocli reads any
// message, except that a duration may also be written the way `streamd q
// streaming params` prints it ("24h0m0s"): what the query prints, the
// proposal takes. protojson alone wants "86400s". Register it with
// flag.Builder.DefineMessageFlagType(ParamsName, ParamsArgType{}).
type ParamsArgType struct{}

func (ParamsArgType) NewValue(_ *context.Context, b *flag.Builder) flag.Value {
	return &paramsArgValue{builder: b}
}

func (ParamsArgType) DefaultValue() string { return "" }

type paramsArgValue struct {
	builder *flag.Builder
	message proto.Message
}

func (v *paramsArgValue) Set(s string) error {
	desc, err := v.builder.FileResolver.FindDescriptorByName(ParamsName)
	if err != nil {
		return err
	}
	md, ok := desc.(protoreflect.MessageDescriptor)
	if !ok {
		return fmt.Errorf("%s is not a message", ParamsName)
	}
	bz := []byte(s)
	if strings.HasSuffix(s, ".json") {
		if bz, err = os.ReadFile(s); err != nil {
			return err
		}
	}
	if bz, err = protoJSONDurations(bz, md); err != nil {
		return err
	}
	// As autocli does for any message: the registered type if there is
	// one, else a dynamic message of the file's descriptor.
	if mt, err := v.builder.TypeResolver.FindMessageByName(ParamsName); err == nil {
		v.message = mt.New().Interface()
	} else {
		v.message = dynamicpb.NewMessage(md)
	}
	return protojson.UnmarshalOptions{Resolver: v.builder.TypeResolver}.Unmarshal(bz, v.message)
}

// protoJSONDurations rewrites the top-level duration fields of a JSON
// object that hold a Go duration ("24h0m0s", "90m") in protojson's form
// ("86400s"). Anything else is left for protojson to judge.
func protoJSONDurations(bz []byte, md protoreflect.MessageDescriptor) ([]byte, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(bz, &fields); err != nil {
		return nil, fmt.Errorf("params must be a JSON object: %w", err)
	}
	changed := false
	for i := 0; i < md.Fields().Len(); i++ {
		fd := md.Fields().Get(i)
		if fd.Message() == nil || fd.Message().FullName() != "google.protobuf.Duration" {
			continue
		}
		for _, name := range []string{string(fd.Name()), fd.JSONName()} {
			var s string
			if json.Unmarshal(fields[name], &s) != nil {
				continue
			}
			d, err := time.ParseDuration(s)
			if err != nil {
				continue
			}
			out, err := protojson.Marshal(durationpb.New(d))
			if err != nil {
				return nil, err
			}
			fields[name], changed = out, true
		}
	}
	if !changed {
		return bz, nil
	}
	return json.Marshal(fields)
}

func (v *paramsArgValue) Get(protoreflect.Value) (protoreflect.Value, error) {
	if v.message == nil {
		return protoreflect.Value{}, nil
	}
	return protoreflect.ValueOfMessage(v.message.ProtoReflect()), nil
}

func (v *paramsArgValue) String() string {
	if v.message == nil {
		return ""
	}
	bz, err := protojson.Marshal(v.message)
	if err != nil {
		return err.Error()
	}
	return string(bz)
}

func (v *paramsArgValue) Type() string { return string(ParamsName) + " (json)" }
